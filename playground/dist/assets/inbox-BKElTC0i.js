import{D as e,J as t,Q as n,S as r,T as i,Y as a,_ as o,a as s,b as c,d as l,f as u,g as d,h as f,i as p,m,n as h,o as g,p as _,r as v,s as y,t as b,u as x,v as S,w as C,x as ee,y as te}from"./errors-D3maoKA8.js";/* empty css               */var ne=1,w,T={};function E(e){return e in T&&(delete T[e],!0)}var D={setImmediate:function(e){var t=ne++;return T[t]=!0,w||=Promise.resolve(),w.then(function(){return E(t)&&e()}),t},clearImmediate:function(e){E(e)}},re=D.setImmediate,ie=D.clearImmediate,O={setImmediate:function(){var t=[...arguments];return(O.delegate?.setImmediate||re).apply(void 0,e([],i(t)))},clearImmediate:function(e){return(O.delegate?.clearImmediate||ie)(e)},delegate:void 0},k=function(e){C(t,e);function t(t,n){var r=e.call(this,t,n)||this;return r.scheduler=t,r.work=n,r}return t.prototype.requestAsyncId=function(t,n,r){return r===void 0&&(r=0),r!==null&&r>0?e.prototype.requestAsyncId.call(this,t,n,r):(t.actions.push(this),t._scheduled||=O.setImmediate(t.flush.bind(t,void 0)))},t.prototype.recycleAsyncId=function(t,n,r){if(r===void 0&&(r=0),r==null?this.delay>0:r>0)return e.prototype.recycleAsyncId.call(this,t,n,r);var i=t.actions;n!=null&&i[i.length-1]?.id!==n&&(O.clearImmediate(n),t._scheduled===n&&(t._scheduled=void 0))},t}(ee),A=new(function(e){C(t,e);function t(){return e!==null&&e.apply(this,arguments)||this}return t.prototype.flush=function(e){this._active=!0;var t=this._scheduled;this._scheduled=void 0;var n=this.actions,r;e||=n.shift();do if(r=e.execute(e.state,e.delay))break;while((e=n[0])&&e.id===t&&n.shift());if(this._active=!1,r){for(;(e=n[0])&&e.id===t&&n.shift();)e.unsubscribe();throw r}},t}(c))(k),j=typeof S(()=>window.document.createElement)==`function`,M=n(t(),1),N=Symbol.for(`__APOLLO_CONTEXT__`);function P(){o(`createContext`in M,39);let e=M.createContext[N];return e||(Object.defineProperty(M.createContext,N,{value:e=M.createContext({}),enumerable:!1,writable:!1,configurable:!0}),e.displayName=`ApolloContext`),e}var ae=({client:e,children:t})=>{let n=P(),r=M.useContext(n),i=M.useMemo(()=>({...r,client:e||r.client}),[r,e]);return o(i.client,40),M.createElement(n.Provider,{value:i},t)};function F(e){let t=M.useContext(P()),n=e||t.client;return o(!!n,30),n}function oe(e,t){let n=M.useRef(void 0);return n.current&&_(n.current.deps,t)||(n.current={value:e(),deps:t}),n.current.value}var se=Symbol.for(`apollo.skipToken`),ce=Symbol.for(`apollo.hook.wrappers`);function le(e,t,n){let r=[n.queryManager,e.startsWith(`use`)?M.useContext(P()):void 0],i=t;for(let t of r){let n=t?.[ce]?.[e];n&&(i=n(i))}return i}var ue=j?M.useLayoutEffect:M.useEffect,de=M.useSyncExternalStore,fe=S(()=>navigator.product)==`ReactNative`,pe=S(()=>navigator.userAgent.indexOf(`jsdom`)>=0)||!1,me=(j||fe)&&!pe,he=de||((e,t,n)=>{let r=t(),[{inst:i},a]=M.useState({inst:{value:r,getSnapshot:t}});return me?M.useLayoutEffect(()=>{Object.assign(i,{value:r,getSnapshot:t}),I(i)&&a({inst:i})},[e,r,t]):Object.assign(i,{value:r,getSnapshot:t}),M.useEffect(()=>(I(i)&&a({inst:i}),e(function(){I(i)&&a({inst:i})})),[e]),r});function I({value:e,getSnapshot:t}){try{return e!==t()}catch{return!0}}var L=function(e,t){let n=F(t?.client),[r,i]=M.useState(()=>R(n)),a=M.useRef({result:r,mutationId:0,isMounted:!0,client:n,mutation:e,options:t});ue(()=>{Object.assign(a.current,{client:n,options:t,mutation:e})});let o=M.useCallback((e={})=>{let{options:t,mutation:n}=a.current,r={...t,mutation:n},o=e.client||a.current.client,s=typeof e.context==`function`?e.context(t?.context):e.context;!a.current.result.loading&&a.current.isMounted&&i(a.current.result={loading:!0,error:void 0,data:void 0,called:!0,client:o});let c=++a.current.mutationId,l=f(r,{...e,context:s});return m(o.mutate(l).then(t=>{let{data:n,error:r}=t,s=e.onError||a.current.options?.onError;if(r&&s&&s(r,l),c===a.current.mutationId){let e={called:!0,loading:!1,data:n,error:r,client:o};a.current.isMounted&&!_(a.current.result,e)&&i(a.current.result=e)}let u=e.onCompleted||a.current.options?.onCompleted;return r||u?.(t.data,l),t},t=>{if(c===a.current.mutationId&&a.current.isMounted){let e={loading:!1,error:t,data:void 0,called:!0,client:o};_(a.current.result,e)||i(a.current.result=e)}let n=e.onError||a.current.options?.onError;throw n&&n(t,l),t}))},[]),s=M.useCallback(()=>{if(a.current.isMounted){let e=R(a.current.client);Object.assign(a.current,{mutationId:0,result:e}),i(e)}},[]);return M.useEffect(()=>{let e=a.current;return e.isMounted=!0,()=>{e.isMounted=!1}},[]),[o,{reset:s,...r}]};function R(e){return{data:void 0,error:void 0,called:!1,loading:!1,client:e}}var z=Symbol(),B=function(e,...[t]){"use no memo";return le(`useQuery`,ge,F(typeof t==`object`?t.client:void 0))(e,t)};function ge(e,t={}){let n=F(typeof t==`object`?t.client:void 0),{ssr:r}=typeof t==`object`?t:{},i=_e(e,t,n.defaultOptions.watchQuery);function a(t){let r=n.watchQuery(i);return{client:n,query:e,observable:r,resultData:{current:r.getCurrentResult(),previousData:t?.resultData.current.data,variables:r.variables}}}let[o,s]=M.useState(a);(n!==o.client||e!==o.query)&&s(o=a(o));let{observable:c,resultData:l}=o;ve(i,c),be(l,c,i);let u=ye(c,l,r),d=M.useMemo(()=>({refetch:c.refetch.bind(c),fetchMore:c.fetchMore.bind(c),updateQuery:c.updateQuery.bind(c),startPolling:c.startPolling.bind(c),stopPolling:c.stopPolling.bind(c),subscribeToMore:c.subscribeToMore.bind(c)}),[c]),f=l.previousData;return M.useMemo(()=>{let{partial:e,...t}=u;return{...t,client:n,observable:c,variables:c.variables,previousData:f,...d}},[u,n,c,f,d])}var V=Symbol();function _e(e,t,n){return oe(()=>{if(t===se){let t={...f(n,{query:e,fetchPolicy:`standby`}),[u]:!0};return t[V]=!0,t}let r=f(n,{...t,query:e});return t.skip&&(r.initialFetchPolicy=t.initialFetchPolicy||t.fetchPolicy,r.fetchPolicy=`standby`),r},[e,t,n])}function ve(e,t){"use no memo";e.fetchPolicy||=t.options.initialFetchPolicy}function ye(e,t,n){"use no memo";let r=e.options.fetchPolicy;return he(M.useCallback(n=>{let r=e.pipe(te(A)).subscribe(r=>{let i=t.current;_(i,r)&&_(t.variables,e.variables)||(t.variables=e.variables,i.data&&!_(i.data,r.data)&&(t.previousData=i.data),t.current=r,n())});return()=>{setTimeout(()=>r.unsubscribe())}},[e,t]),()=>t.current,()=>r!==`standby`&&n===!1||r===`no-cache`?B.ssrDisabledResult:t.current)}function be(e,t,n){"use no memo";if(t[z]&&!_(t[z],n)){t[z][V]&&!n.initialFetchPolicy&&(n.initialFetchPolicy=n.fetchPolicy),xe(t[z],n)?t.reobserve(n):t.applyOptions(n);let r=t.getCurrentResult();_(r.data,e.current.data)||(e.previousData=e.current.data||e.previousData),e.current=r,e.variables=t.variables}t[z]=n}function xe(e,t){return e.query!==t.query||!_(e.variables,t.variables)||e.fetchPolicy!==t.fetchPolicy&&(t.fetchPolicy===`standby`||e.fetchPolicy===`standby`)}B.ssrDisabledResult=d({loading:!0,data:void 0,dataState:`empty`,error:void 0,networkStatus:x.loading,partial:!0});var Se=r();y(`
  fragment NotificationFields on Notification {
    id
    cursor
    kind
    message
    createdAt
    readAt
    actor {
      id
      name
    }
    card {
      id
      title
      board {
        id
        name
      }
    }
    post {
      id
      imageUrl
      caption
    }
  }
`),y(`
  fragment CardFields on Card {
    id
    title
    description
    updatedAt
    creator {
      id
      name
    }
    assignees(first: 20) {
      id
      name
    }
    comments(first: 20) {
      id
      body
      createdAt
      author {
        id
        name
      }
    }
  }
`);var Ce=y(`
  query Me {
    me {
      id
      name
      email
    }
  }
`),we=y(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      expiresAt
      user {
        id
        name
        email
      }
    }
  }
`),Te=y(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        name
        email
      }
    }
  }
`),H=y(`
  query Inbox($first: Int!) {
    notifications(first: $first) {
      edges {
        cursor
        node {
          ...NotificationFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    unreadNotificationCount
  }
`),Ee=y(`
  subscription LiveNotifications($userId: ID!, $after: String) {
    notifications(userId: $userId, after: $after) {
      ...NotificationFields
    }
  }
`),De=y(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`),Oe=y(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`),U=y(`
  query Board($id: ID!) {
    board(id: $id) {
      id
      name
      owner {
        id
        name
      }
      members(first: 100) {
        id
        name
      }
      cards(first: 50) {
        ...CardFields
      }
    }
  }
`),ke=y(`
  mutation CreateBoard($name: String!) {
    createBoard(name: $name) {
      id
      name
    }
  }
`),Ae=y(`
  mutation AddBoardMember($boardId: ID!, $userId: ID!) {
    addBoardMember(boardId: $boardId, userId: $userId) {
      id
      members(first: 100) {
        id
        name
      }
    }
  }
`),je=y(`
  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {
    createCard(boardId: $boardId, title: $title, description: $description) {
      ...CardFields
    }
  }
`),Me=y(`
  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {
    updateCard(id: $id, input: $input) {
      ...CardFields
    }
  }
`),Ne=y(`
  mutation AssignCard($cardId: ID!, $userId: ID!) {
    assignCard(cardId: $cardId, userId: $userId) {
      ...CardFields
    }
  }
`),Pe=y(`
  mutation AddComment($cardId: ID!, $body: String!) {
    addComment(cardId: $cardId, body: $body) {
      id
      body
      createdAt
      author {
        id
        name
      }
    }
  }
`),Fe=y(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      id
      name
    }
  }
`),Ie=y(`
  mutation UploadPost($file: Upload!, $caption: String) {
    uploadPost(file: $file, caption: $caption) {
      id
      imageUrl
      caption
      createdAt
    }
  }
`),W=a();function Le({me:e,boardId:t,onOpenBoard:n}){let r=(0,M.useId)();return(0,W.jsxs)(`section`,{className:`boards`,"aria-labelledby":r,children:[(0,W.jsx)(`h2`,{id:r,children:`Boards`}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(Re,{onCreated:n}),(0,W.jsx)(ze,{onOpen:n})]}),t!==null&&(0,W.jsx)(Be,{id:t,me:e},t)]})}function Re({onCreated:e}){let t=(0,M.useId)(),[n]=L(ke),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Create a board`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`name`));a(async()=>{let{data:t}=await n({variables:{name:i}});t&&(r.reset(),e(t.createBoard.id))})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-name`,children:`Board name`}),(0,W.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Create board`}),(0,W.jsx)(b,{error:r})]})}function ze({onOpen:e}){let t=(0,M.useId)();return(0,W.jsxs)(`form`,{"aria-label":`Open a board`,onSubmit:t=>{t.preventDefault(),e(String(new FormData(t.currentTarget).get(`boardId`)).trim())},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-board`,children:`Board id`}),(0,W.jsx)(`input`,{id:`${t}-board`,name:`boardId`,required:!0,inputMode:`numeric`}),(0,W.jsx)(`button`,{type:`submit`,children:`Open board`})]})}function Be({id:e,me:t}){let n=(0,M.useId)(),{data:r,error:i,loading:a,refetch:o}=B(U,{variables:{id:e}}),s=v();if(a&&!r)return(0,W.jsxs)(`p`,{"aria-busy":`true`,children:[`Loading board `,e,`…`]});if(i)return(0,W.jsx)(b,{error:h(i)});let c=r?.board;if(!c)return(0,W.jsxs)(`p`,{role:`alert`,className:`error`,children:[(0,W.jsx)(`code`,{children:`NOT_FOUND`}),` Board `,e,` does not exist, or you are not one of its members.`]});let l=c.owner.id===t.id;return(0,W.jsxs)(`article`,{className:`board`,"aria-labelledby":n,children:[(0,W.jsxs)(`h3`,{id:n,children:[c.name,` `,(0,W.jsxs)(`span`,{className:`muted`,children:[`(board id `,c.id,`)`]})]}),(0,W.jsxs)(`p`,{children:[`Owner: `,c.owner.name,`. Members: `,c.members.map(e=>e.name).join(`, `),`.`,` `,(0,W.jsx)(`button`,{type:`button`,disabled:s.pending,onClick:()=>void s.submit(o),children:`Reload board`})]}),(0,W.jsx)(b,{error:s.error}),(0,W.jsxs)(`div`,{className:`forms`,children:[l&&(0,W.jsx)(Ve,{boardId:c.id}),(0,W.jsx)(He,{boardId:c.id})]}),c.cards.length===0?(0,W.jsx)(`p`,{children:`No cards yet.`}):(0,W.jsx)(`ul`,{className:`cards`,children:c.cards.map(e=>(0,W.jsx)(`li`,{children:(0,W.jsx)(Ue,{card:e,members:c.members})},e.id))})]})}function Ve({boardId:e}){let t=(0,M.useId)(),[n]=L(Ae),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Add a member`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`userId`)).trim();a(async()=>{await n({variables:{boardId:e,userId:i}}),r.reset()})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-user`,children:`Member's user id`}),(0,W.jsx)(`input`,{id:`${t}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Add member`}),(0,W.jsx)(b,{error:r})]})}function He({boardId:e}){let t=(0,M.useId)(),[n]=L(je,{refetchQueries:[U]}),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Add a card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=new FormData(r),o=String(i.get(`description`)).trim();a(async()=>{await n({variables:{boardId:e,title:String(i.get(`title`)),description:o===``?null:o},awaitRefetchQueries:!0}),r.reset()})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-title`,children:`Card title`}),(0,W.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0}),(0,W.jsx)(`label`,{htmlFor:`${t}-description`,children:`Card description`}),(0,W.jsx)(`input`,{id:`${t}-description`,name:`description`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Add card`}),(0,W.jsx)(b,{error:r})]})}function Ue({card:e,members:t}){let n=(0,M.useId)();return(0,W.jsxs)(`article`,{className:`card`,"aria-labelledby":n,children:[(0,W.jsx)(`h4`,{id:n,children:e.title}),e.description&&(0,W.jsx)(`p`,{children:e.description}),(0,W.jsxs)(`p`,{className:`meta`,children:[`Created by `,e.creator.name,`. Assigned to:`,` `,e.assignees.length===0?`nobody`:e.assignees.map(e=>e.name).join(`, `),`.`]}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(We,{card:e,members:t}),(0,W.jsx)(Ge,{card:e})]}),(0,W.jsx)(`h5`,{children:`Comments`}),e.comments.length===0?(0,W.jsx)(`p`,{className:`muted`,children:`No comments yet.`}):(0,W.jsx)(`ul`,{className:`comments`,children:e.comments.map(e=>(0,W.jsxs)(`li`,{children:[(0,W.jsxs)(`strong`,{children:[e.author.name,`:`]}),` `,e.body]},e.id))}),(0,W.jsx)(Ke,{cardId:e.id})]})}function We({card:e,members:t}){let n=(0,M.useId)(),[r]=L(Ne),{error:i,pending:a,submit:o}=v();return(0,W.jsxs)(`form`,{"aria-label":`Assign the card`,onSubmit:t=>{t.preventDefault();let n=String(new FormData(t.currentTarget).get(`userId`));o(()=>r({variables:{cardId:e.id,userId:n}}))},children:[(0,W.jsx)(`label`,{htmlFor:`${n}-user`,children:`Assignee`}),(0,W.jsx)(`select`,{id:`${n}-user`,name:`userId`,required:!0,children:t.map(e=>(0,W.jsx)(`option`,{value:e.id,children:e.name},e.id))}),(0,W.jsx)(`button`,{type:`submit`,disabled:a,children:`Assign`}),(0,W.jsx)(b,{error:i})]})}function Ge({card:e}){let t=(0,M.useId)(),[n]=L(Me),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Edit the card`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget),i=String(r.get(`description`)).trim();a(()=>n({variables:{id:e.id,input:{title:String(r.get(`title`)),description:i===``?null:i}}}))},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-title`,children:`Title`}),(0,W.jsx)(`input`,{id:`${t}-title`,name:`title`,required:!0,defaultValue:e.title}),(0,W.jsx)(`label`,{htmlFor:`${t}-description`,children:`Description`}),(0,W.jsx)(`input`,{id:`${t}-description`,name:`description`,defaultValue:e.description??``}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Save card`}),(0,W.jsx)(b,{error:r})]})}function Ke({cardId:e}){let t=(0,M.useId)(),[n]=L(Pe,{refetchQueries:[U]}),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-label":`Comment on the card`,onSubmit:t=>{t.preventDefault();let r=t.currentTarget,i=String(new FormData(r).get(`body`));a(async()=>{await n({variables:{cardId:e,body:i},awaitRefetchQueries:!0}),r.reset()})},children:[(0,W.jsx)(`label`,{htmlFor:`${t}-body`,children:`Comment`}),(0,W.jsx)(`textarea`,{id:`${t}-body`,name:`body`,required:!0,rows:2}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Add comment`}),(0,W.jsx)(b,{error:r})]})}var G=[500,1e3,2e3,5e3,1e4];function K(e){return`herald.inbox.cursor.${e}`}function q(e){return sessionStorage.getItem(K(e))}function J(e,t){sessionStorage.setItem(K(e),t)}function qe(e){sessionStorage.removeItem(K(e))}function Je(e,t,n){let r=F(),[i,a]=(0,M.useState)(`off`),o=(0,M.useRef)(n);o.current=n;let c=t?.after,u=t!==null;return(0,M.useEffect)(()=>{if(!u)return;q(e)===null&&c&&J(e,c);let t=!1,n=0,i,d,f=()=>{a(`listening`),d=r.subscribe({query:Ee,variables:{userId:e,after:q(e)}}).subscribe({next:({data:t,error:r})=>{if(r)return p(r);let i=t?.notifications;i&&(n=0,J(e,i.cursor),o.current(i))},error:p,complete:()=>p(null)})};function p(r){if(d?.unsubscribe(),t)return;if(s(r))return f();if(l.is(r)){let t=r.errors[0]?.extensions?.code;if(t===`UNAUTHENTICATED`)return;t===`BAD_USER_INPUT`&&qe(e)}a(`reconnecting`);let o=G[Math.min(n,G.length-1)];n+=1,i=setTimeout(f,o)}return f(),()=>{t=!0,clearTimeout(i),d?.unsubscribe(),a(`off`)}},[r,e,u,c]),i}var Y=50,Ye=8e3;function Xe({me:e,onOpenBoard:t}){let n=(0,M.useId)(),r=F(),i=B(H,{variables:{first:Y}}),[a,o]=(0,M.useState)([]),[s]=L(Oe),c=v(),[l,u]=(0,M.useState)(null),d=i.data?.notifications;(0,M.useEffect)(()=>{d&&l===null&&u({after:d.edges[0]?.cursor??null})},[d,l]);let f=(0,M.useCallback)(e=>{let t=!1;r.cache.updateQuery({query:H,variables:{first:Y}},n=>{if(n&&!n.notifications.edges.some(t=>t.node.id===e.id))return t=!0,{...n,notifications:{...n.notifications,edges:[{__typename:`NotificationEdge`,cursor:e.cursor,node:e},...n.notifications.edges]},unreadNotificationCount:n.unreadNotificationCount+ +!e.readAt}}),t&&o(t=>[...t,e])},[r]),p=Je(e.id,l,f),m=(0,M.useCallback)(e=>{o(t=>t.filter(t=>t.id!==e))},[]),g=i.data?.unreadNotificationCount??0,_=i.data?.notifications.edges??[];return(0,W.jsxs)(`section`,{className:`inbox`,"aria-labelledby":n,children:[(0,W.jsxs)(`div`,{className:`inbox-header`,children:[(0,W.jsx)(`h2`,{id:n,children:`Notifications`}),(0,W.jsx)(Ze,{unread:g,listId:`${n}-list`})]}),(0,W.jsx)(Qe,{status:p}),i.error&&(0,W.jsx)(b,{error:h(i.error)}),(0,W.jsx)(`button`,{type:`button`,disabled:c.pending||g===0,onClick:()=>void c.submit(async()=>{await s(),await i.refetch()}),children:`Mark all read`}),(0,W.jsx)(b,{error:c.error}),i.loading&&!i.data?(0,W.jsx)(`p`,{"aria-busy":`true`,children:`Loading your notifications…`}):_.length===0?(0,W.jsx)(`p`,{children:`No notifications yet. They appear here the moment someone acts on your cards.`}):(0,W.jsx)(`ol`,{id:`${n}-list`,className:`notification-list`,"aria-label":`Your notifications`,children:_.map(({node:e})=>(0,W.jsx)($e,{notification:e,onOpenBoard:t,onRead:()=>i.refetch()},e.id))}),(0,W.jsx)(et,{toasts:a,onDismiss:m})]})}function Ze({unread:e,listId:t}){return(0,W.jsxs)(`a`,{className:`bell`,href:`#${t}`,"aria-label":`Notifications: ${e} unread`,children:[(0,W.jsx)(`svg`,{viewBox:`0 0 24 24`,width:`24`,height:`24`,"aria-hidden":`true`,children:(0,W.jsx)(`path`,{fill:`currentColor`,d:`M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z`})}),(0,W.jsx)(`span`,{className:e>0?`badge`:`badge badge-zero`,"aria-hidden":`true`,children:e})]})}function Qe({status:e}){let t={off:`Live updates: starting…`,listening:`Live updates: on`,reconnecting:`Live updates: connection lost, reconnecting…`}[e];return(0,W.jsx)(`p`,{className:`live-status`,"aria-live":`polite`,children:t})}function $e({notification:e,onOpenBoard:t,onRead:n}){let[r]=L(De),{error:i,pending:a,submit:o}=v(),s=e.readAt==null,c=e.card?.board;return(0,W.jsxs)(`li`,{className:s?`notification unread`:`notification`,children:[(0,W.jsxs)(`p`,{className:`message`,children:[s&&(0,W.jsx)(`span`,{className:`visually-hidden`,children:`Unread: `}),e.message]}),(0,W.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,W.jsx)(Z,{iso:e.createdAt})]}),e.post&&(0,W.jsx)(`img`,{className:`thumbnail`,src:e.post.imageUrl,alt:e.post.caption??`A posted photo`}),(0,W.jsxs)(`div`,{className:`actions`,children:[s&&(0,W.jsx)(`button`,{type:`button`,disabled:a,onClick:()=>void o(async()=>{await r({variables:{id:e.id}}),await n()}),children:`Mark read`}),c&&(0,W.jsxs)(`button`,{type:`button`,onClick:()=>t(c.id),children:[`Open board `,c.name]})]}),(0,W.jsx)(b,{error:i})]})}function et({toasts:e,onDismiss:t}){return(0,W.jsx)(`section`,{className:`toasts`,"aria-label":`New notifications`,children:e.map(e=>(0,W.jsx)(X,{notification:e,onDismiss:t},e.id))})}function X({notification:e,onDismiss:t}){let n=(0,M.useRef)(void 0);return(0,M.useEffect)(()=>(n.current=setTimeout(()=>t(e.id),Ye),()=>clearTimeout(n.current)),[e.id,t]),(0,W.jsxs)(`div`,{role:`status`,className:`toast`,children:[(0,W.jsx)(`p`,{className:`message`,children:e.message}),(0,W.jsxs)(`p`,{className:`meta`,children:[e.actor?`by ${e.actor.name}, `:``,(0,W.jsx)(Z,{iso:e.createdAt})]}),(0,W.jsx)(`button`,{type:`button`,onClick:()=>t(e.id),children:`Dismiss`})]})}var tt=new Intl.DateTimeFormat(void 0,{dateStyle:`medium`,timeStyle:`medium`});function Z({iso:e}){return(0,W.jsx)(`time`,{dateTime:e,children:tt.format(new Date(e))})}function nt(){let e=(0,M.useId)();return(0,W.jsxs)(`section`,{className:`photos`,"aria-labelledby":e,children:[(0,W.jsx)(`h2`,{id:e,children:`Photos`}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(rt,{}),(0,W.jsx)(it,{})]})]})}function rt(){let e=(0,M.useId)(),[t]=L(Fe),[n,r]=(0,M.useState)(null),{error:i,pending:a,submit:o}=v();return(0,W.jsxs)(`form`,{"aria-label":`Follow a user`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=String(new FormData(n).get(`userId`)).trim();o(async()=>{let{data:e}=await t({variables:{userId:i}});e&&(r(e.follow.name),n.reset())})},children:[(0,W.jsx)(`label`,{htmlFor:`${e}-user`,children:`User id to follow`}),(0,W.jsx)(`input`,{id:`${e}-user`,name:`userId`,required:!0,inputMode:`numeric`}),(0,W.jsx)(`button`,{type:`submit`,disabled:a,children:`Follow`}),n!==null&&(0,W.jsxs)(`p`,{children:[`You follow `,n,`: their photos will notify you.`]}),(0,W.jsx)(b,{error:i})]})}function it(){let e=(0,M.useId)(),[t]=L(Ie),[n,r]=(0,M.useState)(null),{error:i,pending:a,submit:o}=v();return(0,W.jsxs)(`form`,{"aria-label":`Post a photo`,onSubmit:e=>{e.preventDefault();let n=e.currentTarget,i=new FormData(n),a=i.get(`photo`),s=String(i.get(`caption`)).trim();a instanceof File&&o(async()=>{let{data:e}=await t({variables:{file:a,caption:s===``?null:s}});e&&(r(e.uploadPost),n.reset())})},children:[(0,W.jsx)(`label`,{htmlFor:`${e}-photo`,children:`Photo`}),(0,W.jsx)(`input`,{id:`${e}-photo`,name:`photo`,type:`file`,accept:`image/*`,required:!0}),(0,W.jsx)(`label`,{htmlFor:`${e}-caption`,children:`Caption`}),(0,W.jsx)(`input`,{id:`${e}-caption`,name:`caption`}),(0,W.jsx)(`button`,{type:`submit`,disabled:a,children:`Post photo`}),(0,W.jsx)(b,{error:i}),n&&(0,W.jsxs)(`figure`,{children:[(0,W.jsx)(`img`,{className:`thumbnail`,src:n.imageUrl,alt:n.caption??`Your photo`}),(0,W.jsxs)(`figcaption`,{children:[`Posted`,n.caption?`: ${n.caption}`:``]})]})]})}function at({notice:e,onSignedIn:t}){return(0,W.jsxs)(`main`,{className:`sign-in`,children:[e!==null&&(0,W.jsxs)(`p`,{role:`alert`,className:`error`,children:[`Your session has ended: `,e,`. Please sign in again.`]}),(0,W.jsx)(`p`,{children:`Each browser tab signs in on its own, so two tabs can be two users: sign up as Alice here and as Bob in another tab, then watch Bob's actions reach Alice live.`}),(0,W.jsxs)(`div`,{className:`forms`,children:[(0,W.jsx)(ot,{onSignedIn:t}),(0,W.jsx)(st,{onSignedIn:t})]})]})}function ot({onSignedIn:e}){let t=(0,M.useId)(),[n]=L(we),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{input:{name:String(r.get(`name`)),email:String(r.get(`email`)),password:String(r.get(`password`))}}});t&&e(t.signUp)})},children:[(0,W.jsx)(`h2`,{id:`${t}-title`,children:`Sign up`}),(0,W.jsx)(`label`,{htmlFor:`${t}-name`,children:`Name`}),(0,W.jsx)(`input`,{id:`${t}-name`,name:`name`,required:!0,autoComplete:`name`}),(0,W.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,W.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,W.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,W.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`new-password`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Sign up`}),(0,W.jsx)(b,{error:r})]})}function st({onSignedIn:e}){let t=(0,M.useId)(),[n]=L(Te),{error:r,pending:i,submit:a}=v();return(0,W.jsxs)(`form`,{"aria-labelledby":`${t}-title`,onSubmit:t=>{t.preventDefault();let r=new FormData(t.currentTarget);a(async()=>{let{data:t}=await n({variables:{email:String(r.get(`email`)),password:String(r.get(`password`))}});t&&e(t.logIn)})},children:[(0,W.jsx)(`h2`,{id:`${t}-title`,children:`Log in`}),(0,W.jsx)(`label`,{htmlFor:`${t}-email`,children:`Email`}),(0,W.jsx)(`input`,{id:`${t}-email`,name:`email`,type:`email`,required:!0,autoComplete:`email`}),(0,W.jsx)(`label`,{htmlFor:`${t}-password`,children:`Password`}),(0,W.jsx)(`input`,{id:`${t}-password`,name:`password`,type:`password`,required:!0,autoComplete:`current-password`}),(0,W.jsx)(`button`,{type:`submit`,disabled:i,children:`Log in`}),(0,W.jsx)(b,{error:r})]})}function ct(){let[e,t]=(0,M.useState)(()=>g()===null?{signedIn:!1,notice:null}:{signedIn:!0}),[n]=(0,M.useState)(()=>p({onSessionEnded:e=>t({signedIn:!1,notice:e})}));return(0,W.jsxs)(ae,{client:n.apollo,children:[(0,W.jsxs)(`header`,{className:`page-header`,children:[(0,W.jsx)(`h1`,{children:`Herald inbox`}),(0,W.jsxs)(`nav`,{"aria-label":`Playground`,children:[(0,W.jsx)(`a`,{href:`/`,children:`About Herald`}),` · `,(0,W.jsx)(`a`,{href:`/graphiql`,children:`GraphiQL`})]})]}),e.signedIn?(0,W.jsx)(lt,{onSignOut:()=>{n.signOut(),n.apollo.clearStore(),t({signedIn:!1,notice:null})}}):(0,W.jsx)(at,{notice:e.notice,onSignedIn:e=>{n.apollo.clearStore(),n.signIn(e),t({signedIn:!0})}})]})}function lt({onSignOut:e}){let{data:t,error:n}=B(Ce);return n?(0,W.jsxs)(`main`,{children:[(0,W.jsx)(b,{error:h(n)}),(0,W.jsx)(`button`,{type:`button`,onClick:e,children:`Sign out`})]}):t?(0,W.jsx)(ut,{me:t.me,onSignOut:e}):(0,W.jsx)(`p`,{"aria-busy":`true`,children:`Checking your session…`})}function ut({me:e,onSignOut:t}){let[n,r]=(0,M.useState)(()=>sessionStorage.getItem(Q)),i=e=>{sessionStorage.setItem(Q,e),r(e)};return(0,W.jsxs)(W.Fragment,{children:[(0,W.jsxs)(`section`,{className:`whoami`,"aria-label":`Your account`,children:[(0,W.jsxs)(`p`,{children:[`Signed in as `,(0,W.jsx)(`strong`,{children:e.name}),e.email!==null&&` (${e.email})`,`. Your user id is`,` `,(0,W.jsx)(`strong`,{children:e.id}),`: others need it to add you to a board or follow you.`]}),(0,W.jsx)(`button`,{type:`button`,onClick:t,children:`Sign out`})]}),(0,W.jsxs)(`main`,{className:`workspace`,children:[(0,W.jsx)(Xe,{me:e,onOpenBoard:i}),(0,W.jsxs)(`div`,{className:`activity`,children:[(0,W.jsx)(Le,{me:e,boardId:n,onOpenBoard:i}),(0,W.jsx)(nt,{})]})]})]})}var Q=`herald.inbox.board`,$=document.getElementById(`root`);if($===null)throw Error(`the page has no #root element`);(0,Se.createRoot)($).render((0,W.jsx)(M.StrictMode,{children:(0,W.jsx)(ct,{})}));